"""H.264 live view: a bitrate cap and a keyframe interval per camera."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("livecam", "0005_recording_owner_error"),
    ]

    operations = [
        migrations.AddField(
            model_name="camera",
            name="bitrate",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Cap of the H.264 stream; 0 picks a default for the size",
                validators=[django.core.validators.MaxValueValidator(50000)],
                verbose_name="H.264 bitrate (kbit/s)",
            ),
        ),
        migrations.AddField(
            model_name="camera",
            name="keyframe_interval",
            field=models.FloatField(
                default=1.0,
                validators=[
                    django.core.validators.MinValueValidator(0.2),
                    django.core.validators.MaxValueValidator(10),
                ],
                verbose_name="H.264 keyframe interval (seconds)",
            ),
        ),
    ]
