import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The outreach models moved to `samen.outreach` (its 0001 has them, on these same tables):
    removed from partners' state only, no table is dropped. ContactLog.email_send now points
    at outreach.EmailSend (the same table)."""

    dependencies = [
        ("outreach", "0001_initial"),
        ("partners", "0004_remove_newslettersubscriber_unsubscribed_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="emailsend",
                    name="campaign",
                ),
                migrations.RemoveField(
                    model_name="emailsend",
                    name="municipality",
                ),
                migrations.RemoveField(
                    model_name="emailsend",
                    name="newsletter",
                ),
                migrations.RemoveField(
                    model_name="emailsend",
                    name="partner",
                ),
                migrations.RemoveField(
                    model_name="emailsend",
                    name="subscriber",
                ),
                migrations.AlterField(
                    model_name="contactlog",
                    name="email_send",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="outreach.emailsend",
                    ),
                ),
                migrations.RemoveField(
                    model_name="emailtemplate",
                    name="municipality",
                ),
                migrations.RemoveField(
                    model_name="newsletter",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="newsletter",
                    name="municipality",
                ),
                migrations.RemoveField(
                    model_name="newsletteroptout",
                    name="municipality",
                ),
                migrations.RemoveField(
                    model_name="newslettersubscriber",
                    name="municipality",
                ),
                migrations.RemoveField(
                    model_name="reminderlog",
                    name="municipality",
                ),
                migrations.DeleteModel(
                    name="EmailCampaign",
                ),
                migrations.DeleteModel(
                    name="EmailSend",
                ),
                migrations.DeleteModel(
                    name="EmailTemplate",
                ),
                migrations.DeleteModel(
                    name="Newsletter",
                ),
                migrations.DeleteModel(
                    name="NewsletterOptOut",
                ),
                migrations.DeleteModel(
                    name="NewsletterSubscriber",
                ),
                migrations.DeleteModel(
                    name="ReminderLog",
                ),
            ],
        ),
    ]
