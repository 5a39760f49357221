
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The models moved here from partners (issue #13), on their old tables (`db_table`
    partners_*): only Django's state changes, no table is created. partners 0005 then removes
    them from partners' state."""


    initial = True

    dependencies = [
        ('core', '0004_audit_event_case'),
        ('partners', '0004_remove_newslettersubscriber_unsubscribed_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='EmailTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, verbose_name='naam')),
                        ('slug', models.SlugField(max_length=130)),
                        ('purpose', models.CharField(choices=[('business', 'Lokale ondernemer betrekken'), ('inspiration', 'Uitnodiging inspiratiesessie'), ('working_session', 'Uitnodiging werksessie'), ('colleagues', "Collega's betrekken"), ('other', 'Anders')], default='business', max_length=20, verbose_name='doel')),
                        ('subject', models.CharField(max_length=200, verbose_name='onderwerp')),
                        ('body', models.TextField(verbose_name='tekst')),
                        ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.municipality')),
                    ],
                    options={
                        'db_table': 'partners_emailtemplate',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='EmailCampaign',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject', models.CharField(max_length=200)),
                        ('body', models.TextField()),
                        ('sender', models.TextField(blank=True)),
                        ('default_request', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.municipality')),
                        ('template', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='outreach.emailtemplate')),
                    ],
                    options={
                        'db_table': 'partners_emailcampaign',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Newsletter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject', models.CharField(max_length=200, verbose_name='onderwerp')),
                        ('body', models.TextField(verbose_name='tekst')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('queued_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.municipality')),
                    ],
                    options={
                        'db_table': 'partners_newsletter',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='NewsletterOptOut',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email_hash', models.CharField(max_length=64)),
                        ('token_hash', models.CharField(blank=True, db_index=True, max_length=64)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.municipality')),
                    ],
                    options={
                        'db_table': 'partners_newsletteroptout',
                    },
                ),
                migrations.CreateModel(
                    name='NewsletterSubscriber',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, verbose_name='e-mailadres')),
                        ('name', models.CharField(blank=True, max_length=120, verbose_name='naam')),
                        ('token', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.municipality')),
                    ],
                    options={
                        'db_table': 'partners_newslettersubscriber',
                    },
                ),
                migrations.CreateModel(
                    name='EmailSend',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('to_email', models.EmailField(max_length=254)),
                        ('subject', models.CharField(max_length=200)),
                        ('body', models.TextField()),
                        ('headers', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('error', models.CharField(blank=True, max_length=300)),
                        ('campaign', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sends', to='outreach.emailcampaign')),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.municipality')),
                        ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='email_sends', to='partners.partner')),
                        ('newsletter', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sends', to='outreach.newsletter')),
                        ('subscriber', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='outreach.newslettersubscriber')),
                    ],
                    options={
                        'db_table': 'partners_emailsend',
                    },
                ),
                migrations.CreateModel(
                    name='ReminderLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=40)),
                        ('key', models.CharField(max_length=40)),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.municipality')),
                    ],
                    options={
                        'db_table': 'partners_reminderlog',
                    },
                ),
                migrations.AddConstraint(
                    model_name='emailtemplate',
                    constraint=models.UniqueConstraint(fields=('municipality', 'slug'), name='template_slug_unique'),
                ),
                migrations.AddConstraint(
                    model_name='newsletteroptout',
                    constraint=models.UniqueConstraint(fields=('municipality', 'email_hash'), name='one_opt_out_per_address'),
                ),
                migrations.AddConstraint(
                    model_name='newslettersubscriber',
                    constraint=models.UniqueConstraint(fields=('municipality', 'email'), name='one_subscription_per_address'),
                ),
                migrations.AddIndex(
                    model_name='emailsend',
                    index=models.Index(fields=['campaign', 'sent_at'], name='partners_em_campaig_bdc214_idx'),
                ),
                migrations.AddIndex(
                    model_name='emailsend',
                    index=models.Index(fields=['newsletter', 'sent_at'], name='partners_em_newslet_00440d_idx'),
                ),
                migrations.AddConstraint(
                    model_name='emailsend',
                    constraint=models.UniqueConstraint(condition=models.Q(('campaign__isnull', False)), fields=('campaign', 'partner'), name='one_send_per_campaign_partner'),
                ),
                migrations.AddConstraint(
                    model_name='emailsend',
                    constraint=models.UniqueConstraint(condition=models.Q(('newsletter__isnull', False)), fields=('newsletter', 'subscriber'), name='one_send_per_newsletter_subscriber'),
                ),
                migrations.AddConstraint(
                    model_name='reminderlog',
                    constraint=models.UniqueConstraint(fields=('municipality', 'kind', 'key'), name='one_reminder_per_period'),
                ),
            ],
        ),
    ]
