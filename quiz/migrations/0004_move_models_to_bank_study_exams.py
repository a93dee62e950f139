"""The old quiz app forgets its models once bank, study and exams own them. State only: no table is dropped,
no SQL runs; the rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bank", "0001_initial"),
        ("study", "0001_initial"),
        ("exams", "0001_initial"),
        ("quiz", "0003_exams"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="card",
                    name="topic",
                ),
                migrations.RemoveField(
                    model_name="studycard",
                    name="card",
                ),
                migrations.RemoveField(
                    model_name="studyflag",
                    name="card",
                ),
                migrations.RemoveField(
                    model_name="quizquestion",
                    name="card",
                ),
                migrations.RemoveField(
                    model_name="studyreview",
                    name="card",
                ),
                migrations.RemoveField(
                    model_name="cardsource",
                    name="card",
                ),
                migrations.RemoveField(
                    model_name="interviewanswer",
                    name="card",
                ),
                migrations.RemoveField(
                    model_name="cardembedding",
                    name="card",
                ),
                migrations.RemoveField(
                    model_name="cardsource",
                    name="import_run",
                ),
                migrations.RemoveField(
                    model_name="interview",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="interviewanswer",
                    name="interview",
                ),
                migrations.RemoveField(
                    model_name="quiz",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="quizquestion",
                    name="quiz",
                ),
                migrations.RemoveField(
                    model_name="studycard",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="studyreview",
                    name="study_card",
                ),
                migrations.RemoveField(
                    model_name="studyflag",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="studyreview",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="studysettings",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="Topic",
                ),
                migrations.DeleteModel(
                    name="Card",
                ),
                migrations.DeleteModel(
                    name="CardEmbedding",
                ),
                migrations.DeleteModel(
                    name="CardSource",
                ),
                migrations.DeleteModel(
                    name="ImportRun",
                ),
                migrations.DeleteModel(
                    name="Interview",
                ),
                migrations.DeleteModel(
                    name="InterviewAnswer",
                ),
                migrations.DeleteModel(
                    name="Quiz",
                ),
                migrations.DeleteModel(
                    name="QuizQuestion",
                ),
                migrations.DeleteModel(
                    name="StudyCard",
                ),
                migrations.DeleteModel(
                    name="StudyFlag",
                ),
                migrations.DeleteModel(
                    name="StudyReview",
                ),
                migrations.DeleteModel(
                    name="StudySettings",
                ),
            ],
            database_operations=[],
        ),
    ]
