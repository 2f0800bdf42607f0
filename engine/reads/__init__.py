"""Meter reads before billing: the review by the city's `meter-reads` rule (review), and the reads import (files)."""
