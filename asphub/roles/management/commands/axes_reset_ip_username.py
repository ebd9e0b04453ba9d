from axes.management.commands.axes_reset_ip_username import Command as AxesCommand

from asphub.roles.lockout_commands import audited

Command = audited(AxesCommand, "axes_reset_ip_username")
