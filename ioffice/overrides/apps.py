"""Django's own management commands as ioffice needs them, in an app listed before ``django.contrib.auth``.

Of two apps that provide a command of the same name, the one listed first in ``INSTALLED_APPS`` wins;
``ioffice`` itself comes last (after the layers it uses), so the commands that must replace a contrib
app's live here.
"""

from django.apps import AppConfig


class OverridesConfig(AppConfig):
    name = "ioffice.overrides"
    label = "ioffice_overrides"
    verbose_name = "Lệnh quản trị của ioffice"
