"""What a design is: distributions, the scenario schema, loader, calendar (no simpy, no pandas)."""
