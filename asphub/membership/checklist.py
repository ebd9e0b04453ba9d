"""The criteria a national coordinator confirms about an application before deciding it."""

from django.utils.translation import gettext_lazy as _

CHECKLIST_CRITERIA = (
    ("eligible", _("The institution is eligible (an educational institution of any level)")),
    ("registered", _("The registration number matches the register of institutions")),
    ("principal", _("The principal supports the application (signed letter or e-mail)")),
    ("team", _("The school team meets the national rule")),
    ("themes", _("The reason and the planned activities fit UNESCO's themes")),
    ("not_duplicate", _("It is not a duplicate of another school or application")),
)
