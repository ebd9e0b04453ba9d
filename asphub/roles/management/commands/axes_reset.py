from axes.management.commands.axes_reset import Command as AxesCommand

from asphub.roles.lockout_commands import audited

Command = audited(AxesCommand, "axes_reset")
