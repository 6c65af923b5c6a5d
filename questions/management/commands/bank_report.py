from collections import Counter

from django.core.management.base import BaseCommand

from questions.models import Blueprint, Question

# The SageMaker built-in algorithms and AI services the MLS-C01 notes cover; the shipped bank
# tests each algorithm at least three times and each service at least twice.
ALGORITHMS = [
    "Linear Learner", "XGBoost", "k-NN", "Factorization Machines", "Object2Vec", "BlazingText",
    "Seq2Seq", "DeepAR", "LDA", "NTM", "K-Means", "PCA", "Random Cut Forest", "IP Insights",
    "Image Classification", "Object Detection", "Semantic Segmentation",
]  # fmt: skip
AI_SERVICES = [
    "Comprehend", "Translate", "Transcribe", "Polly", "Rekognition", "Forecast", "Lex",
    "Personalize",
]  # fmt: skip
CONCEPTS = [
    "Kinesis", "Glue", "EMR", "S3 security", "imputation", "imbalance", "encoding", "TF-IDF",
    "distributions", "metrics", "regularization", "activation functions", "tuning", "deployment",
    "Model Monitor", "CloudTrail", "CloudWatch",
]  # fmt: skip


def coverage(blueprint: Blueprint) -> dict:
    """Counts of published questions per domain and topic, by kind and difficulty, and per tag."""
    questions = list(
        Question.objects.published()
        .in_blueprint(blueprint)
        .select_related("topic__domain")
        .prefetch_related("tags")
    )
    topics = Counter()
    for q in questions:
        topics[q.topic.code, "all"] += 1
        topics[q.topic.code, q.kind] += 1
        topics[q.topic.code, f"d{q.difficulty}"] += 1
    tags = Counter(tag.name for q in questions for tag in q.tags.all())
    return {"total": len(questions), "topics": topics, "tags": tags, "questions": questions}


def mix(counts: Counter, key: str) -> str:
    return f"{counts[key, 'd1']}/{counts[key, 'd2']}/{counts[key, 'd3']}"


class Command(BaseCommand):
    """Prints the bank's coverage as markdown, so reviewers see gaps before learners do."""

    help = "Coverage of the published bank: per domain and task statement, and per key tag."

    def handle(self, *args, **options):
        blueprint = Blueprint.objects.get(is_default=True)
        report = coverage(blueprint)
        total, topics, tags = report["total"], report["topics"], report["tags"]
        out = [
            f"Published questions: {total}",
            "",
            "| domain | task statement | questions | multiple | difficulty 1/2/3 |",
            "| --- | --- | ---: | ---: | --- |",
        ]
        for domain in blueprint.domains.prefetch_related("topics"):
            codes = [t.code for t in domain.topics.all()]
            domain_total = sum(topics[c, "all"] for c in codes)
            share = 100 * domain_total / total if total else 0
            out.append(
                f"| **{domain.code} {domain.name}** | {share:.1f}% (weight {domain.weight}%) "
                f"| **{domain_total}** | {sum(topics[c, 'multiple'] for c in codes)} | "
                f"{'/'.join(str(sum(topics[c, f'd{d}'] for c in codes)) for d in (1, 2, 3))} |"
            )
            for topic in domain.topics.all():
                out.append(
                    f"| | {topic.code} {topic.name} | {topics[topic.code, 'all']} "
                    f"| {topics[topic.code, 'multiple']} | {mix(topics, topic.code)} |"
                )
        multiple = sum(v for (_, k), v in topics.items() if k == "multiple")
        hard = sum(v for (_, k), v in topics.items() if k == "d3")
        easy = sum(v for (_, k), v in topics.items() if k == "d1")
        if total:
            out += [
                "",
                f"Multiple response: {multiple} ({100 * multiple / total:.0f}%) · "
                f"difficulty 3: {hard} ({100 * hard / total:.0f}%) · "
                f"difficulty 1: {easy} ({100 * easy / total:.0f}%)",
            ]
        for title, names in [
            ("Algorithms", ALGORITHMS),
            ("AI services", AI_SERVICES),
            ("Concepts", CONCEPTS),
        ]:
            out += ["", f"{title}: " + ", ".join(f"{name} {tags[name]}" for name in names)]
        self.stdout.write("\n".join(out))
