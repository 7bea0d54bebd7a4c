from django.db import migrations


def forwards(apps, schema_editor):
    from muling.cases.defaults import install_default_categories

    install_default_categories(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
