// Preload for profiling the SUT (BENCH_SUT_NODE_ARGS="--cpu-prof --require ./bench/exit-on-term.cjs"):
// exit normally on SIGTERM so that node writes the --cpu-prof profile (a death by signal does not).
process.once('SIGTERM', () => process.exit(0));
