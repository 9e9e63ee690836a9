"""The capacity planner: targets and levers (spec), decisions (decide), starting guesses
(bracket), the search, and what binds.
"""
