// An empty program: the runtime's own start-up floor for bench/hello_process.ts.
