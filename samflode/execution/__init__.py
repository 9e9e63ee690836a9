"""Where replications run: tasks, the parallel map, checkpoints, atomic writes, one unit loop."""
