/* Gives the generated-protobuf library one object even before any .proto exists. The generated
 * code comes from the .proto files in proto/, compiled by protoc-c at build time. */
int tn_pb_anchor;
