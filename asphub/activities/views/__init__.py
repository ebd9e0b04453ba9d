"""The activities' pages: public (views.public) and in the school's workspace (views.workspace)."""
