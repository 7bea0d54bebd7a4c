"""The Jining demo data set (`manage.py load_demo`, `manage.py demo_logins`).

jining.py   the tables from the seed: districts, streets, communities, departments, names
layout.py   where grids lie on the map (tidy rectangles around real Jining coordinates)
plan.py     seed + scale → every area, household, person and post, before touching the database
loader.py   writes a plan through the real services; idempotent by the city code 370800
logins.py   the demo logins (one per role) and the table both commands print
"""
