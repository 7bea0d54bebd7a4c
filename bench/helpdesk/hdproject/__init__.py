"""A minimal Django project serving django-helpdesk 2.6.1 as the benchmark's reference (bench/harness.py).

It runs only in its own virtualenv (var/bench/helpdesk-venv, installed by the harness); Muling never
imports it and django-helpdesk is not one of Muling's dependencies.
"""
