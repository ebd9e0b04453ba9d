"""Network events' pages: the public list and event page with a school's registration
(public.py), and the national coordinator's workspace (workspace.py)."""
