"""What a facilitator runs: cohorts (dates, workshop sessions), rosters imported from CSV, personal links
handed out as a mail-merge CSV and printable cards, and the cohort at a glance (completion only).

The command line (`workbook cohorts`, `workbook roster`, `workbook handouts`) and the facilitator's app
call the same functions here, so every rule lives in one place.
"""
