"""Partner finding: schools that look for partners (themes, levels, languages, countries, a note),
browsed and filtered by others, who write to them through the platform (addresses stay hidden)."""
