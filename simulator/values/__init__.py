"""Realistic values: seeded fakes (order ids, names, addresses, dates), strings that match a
pattern, values chosen by a field's name or format, and the schema sim that builds a whole
result from a tool's `returns` schema.

Takes a seeded `random.Random` (and a JSON Schema); gives plain JSON values. Tool-sim authors use
`simulator.values.fakes` (also exported as `simulator.fakes`).
"""
