"""Camera management: picture controls, privacy masks and the controls capture reported."""

from django.db import migrations, models

import livecam.models


class Migration(migrations.Migration):
    dependencies = [("livecam", "0007_notifications")]

    operations = [
        migrations.AddField(
            model_name="camera",
            name="controls",
            field=models.JSONField(
                blank=True,
                default=dict,
                validators=[livecam.models.validate_controls],
                verbose_name="controls",
            ),
        ),
        migrations.AddField(
            model_name="camera",
            name="privacy_masks",
            field=models.JSONField(
                blank=True,
                default=list,
                validators=[livecam.models.validate_masks],
                verbose_name="privacy masks",
            ),
        ),
        migrations.AddField(
            model_name="camera",
            name="control_info",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
    ]
