"""The world of one replication: staff, meetings, participants and the SimPy stages."""
