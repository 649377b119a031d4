"""Running replications: batches, chunks, executors, the results store, provenance."""
