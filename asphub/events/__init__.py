"""The national coordinator's network events (planning seminars, summer schools, conferences):
registration per school naming members of its team, capacity, a waiting list promoted
automatically, reminders and attendance."""
