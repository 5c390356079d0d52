"""The manager track: lessons, the comfort and skill check in three waves, reaction, behaviour log,
conversation planner and the manager's own before/after summary.

Pure Python over the store; the Voila apps build their widgets on these functions.
"""
