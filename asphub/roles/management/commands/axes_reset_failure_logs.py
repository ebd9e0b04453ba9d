from axes.management.commands.axes_reset_failure_logs import Command as AxesCommand

from asphub.roles.lockout_commands import audited

Command = audited(AxesCommand, "axes_reset_failure_logs")
