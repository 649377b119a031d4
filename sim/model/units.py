"""Calendar units the model counts time in: a day is 1.0, a year the mean Gregorian-Julian year."""

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
