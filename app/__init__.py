"""The application layer: the `dulieumo` command, authoring, the leadership report, the demo.

It sits on top: it may import the flows, the stages and the core; nothing imports it.
"""
