"""The only floor that speaks SQL."""
