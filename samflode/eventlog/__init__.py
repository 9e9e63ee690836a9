"""The event log: what the model records, one row per event, in a documented schema."""
