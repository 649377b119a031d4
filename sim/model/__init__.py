"""The SimPy model of one council: one replication is a pure function of scenario, rep and seed."""
