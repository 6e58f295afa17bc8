/* Whole reads and writes on blocking descriptors, for tern-bench's set-up requests and the pipes
 * between its processes. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* All len bytes, short transfers and interrupted calls retried; false on an error or on end of
 * file first. */
bool tb_write_full(int fd, const void *buf, size_t len);
bool tb_read_full(int fd, void *buf, size_t len);
