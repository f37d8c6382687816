# Security: token scope, per-camera access, share links, and the role groups.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# A copy (not an import) of livecam.roles.ROLE_PERMISSIONS as of this migration, so that
# later changes to the roles do not change what this migration did.
_VIEWER = ["livecam.view_camera"]
_OPERATOR = [*_VIEWER, "livecam.switch_camera"]
_ADMIN = [
    *_OPERATOR,
    "livecam.add_camera",
    "livecam.change_camera",
    "livecam.delete_camera",
    *(
        f"livecam.{action}_{model}"
        for model in ("apitoken", "cameraaccess", "sharelink")
        for action in ("add", "change", "delete", "view")
    ),
    "livecam.view_metrics",
    "livecam.see_all_cameras",
    *(
        f"auth.{action}_{model}"
        for model in ("user", "group")
        for action in ("add", "change", "delete", "view")
    ),
]
ROLES = {"viewer": _VIEWER, "operator": _OPERATOR, "admin": _ADMIN}


def create_role_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now
    # so the groups can hold them on a fresh database.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("livecam", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="read_only",
            field=models.BooleanField(
                default=False, help_text="Watch and read state; never switch", verbose_name="read-only"
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="cameras",
            field=models.ManyToManyField(
                blank=True,
                help_text="Limit the token to these cameras (none: every camera its user may see)",
                related_name="+",
                to="livecam.camera",
                verbose_name="cameras",
            ),
        ),
        migrations.CreateModel(
            name="CameraAccess",
            fields=[
                (
                    "camera",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="access",
                        serialize=False,
                        to="livecam.camera",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "groups",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="auth.group", verbose_name="groups"
                    ),
                ),
                (
                    "users",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="users",
                    ),
                ),
            ],
            options={
                "verbose_name": "camera access",
                "verbose_name_plural": "camera access",
                "permissions": [
                    ("view_metrics", "Can read the Prometheus metrics"),
                    ("see_all_cameras", "Can see every camera, restricted or not"),
                ],
            },
        ),
        migrations.CreateModel(
            name="ShareLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("label", models.CharField(blank=True, max_length=100, verbose_name="label")),
                ("secret_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("hint", models.CharField(editable=False, max_length=12)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "camera",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="share_links",
                        to="livecam.camera",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "share link", "ordering": ["-created_at"]},
        ),
        migrations.RunPython(create_role_groups, remove_role_groups),
    ]
