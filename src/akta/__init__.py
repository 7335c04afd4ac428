"""Akta: case history, legal deadlines, follow-up and quality work for the social committee."""
