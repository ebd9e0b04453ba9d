"""Who may change the school directory: the rule lives in the one permission layer."""

from asphub.roles.permissions import can_manage_schools

__all__ = ["can_manage_schools"]
