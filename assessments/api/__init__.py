"""REST API of assessments: plans, rounds, scorecards and results."""
