"""Rendering: every word and layout a user sees comes from templates/ through these modules."""
