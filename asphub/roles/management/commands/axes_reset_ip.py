from axes.management.commands.axes_reset_ip import Command as AxesCommand

from asphub.roles.lockout_commands import audited

Command = audited(AxesCommand, "axes_reset_ip")
