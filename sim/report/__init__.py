"""What a results folder shows: figures, report.html and the target output."""
