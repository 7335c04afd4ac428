from django.db import migrations, models


class Migration(migrations.Migration):
    """Entries already in the log keep their keyless SHA-256 ("sha256"); new ones are HMACs."""

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="scheme",
            field=models.CharField(default="sha256", max_length=8),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="scheme",
            field=models.CharField(default="hmac", max_length=8),
        ),
    ]
