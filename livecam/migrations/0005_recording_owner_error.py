"""Recordings name the capture process writing them, and why one ended early."""

from django.db import migrations, models


class Migration(migrations.Migration):
    """Add Recording.owner and Recording.error."""

    dependencies = [("livecam", "0004_security_findings")]

    operations = [
        migrations.AddField(
            model_name="recording",
            name="owner",
            field=models.CharField(blank=True, editable=False, max_length=120),
        ),
        migrations.AddField(
            model_name="recording",
            name="error",
            field=models.CharField(blank=True, max_length=200, verbose_name="error"),
        ),
    ]
