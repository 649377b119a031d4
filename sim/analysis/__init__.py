"""Reading results back: tables, paired comparisons, financial years, headline answers."""
