# Latency against offered load for both servers of a bench-compare run: gnuplot -e "dir='DIR'"
# reads DIR/tern.dat and DIR/ejabberd.dat (written by tern-bench --compare --plot DIR).
set terminal pngcairo size 900,560 font ",11"
set output dir."/latency.png"
set title "1:1 messages: send-to-receive latency vs offered load (loopback, 2 cores)"
set xlabel "offered load (messages/s)"
set ylabel "latency (ms, log scale)"
set logscale y
set key top left
set grid
plot dir."/tern.dat" using 1:3 with linespoints lw 2 title "tern p50", \
     dir."/tern.dat" using 1:5 with linespoints lw 2 title "tern p99", \
     dir."/ejabberd.dat" using 1:3 with linespoints lw 2 dt 2 title "ejabberd p50", \
     dir."/ejabberd.dat" using 1:5 with linespoints lw 2 dt 2 title "ejabberd p99"
set output dir."/throughput.png"
set title "1:1 messages: delivered vs offered load (loopback, 2 cores)"
set ylabel "delivered (messages/s)"
unset logscale y
plot dir."/tern.dat" using 1:2 with linespoints lw 2 title "tern", \
     dir."/ejabberd.dat" using 1:2 with linespoints lw 2 dt 2 title "ejabberd", \
     x with lines lc rgb "grey" title "offered"
