from django.db import migrations


class Migration(migrations.Migration):
    """Its own migration (its own transaction): on PostgreSQL a column cannot be dropped in
    the transaction that just deleted rows of the table (pending trigger events)."""

    dependencies = [
        ("partners", "0003_newsletter_opt_out"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="newslettersubscriber",
            name="unsubscribed_at",
        ),
    ]
