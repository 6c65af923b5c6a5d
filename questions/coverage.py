"""What the bank must cover, by tag, and how far the published bank gets there.

Each list is a set of tag names with the least number of published questions that must carry
it. ``bank_report`` prints what is missing; ``tests/questions/test_shipped_bank.py`` fails on it.
"""

from collections import Counter

from .models import Blueprint, Question

# The 17 SageMaker built-in algorithms of the MLS-C01 notes: each at least five questions.
ALGORITHMS = [
    "Linear Learner", "XGBoost", "k-NN", "Factorization Machines", "Object2Vec", "BlazingText",
    "Seq2Seq", "DeepAR", "LDA", "NTM", "K-Means", "PCA", "Random Cut Forest", "IP Insights",
    "Image Classification", "Object Detection", "Semantic Segmentation",
]  # fmt: skip
# The AI services of the notes: each at least three.
AI_SERVICES = [
    "Comprehend", "Translate", "Transcribe", "Polly", "Rekognition", "Forecast", "Lex",
    "Personalize",
]  # fmt: skip
# The exam guide's appendix "In-scope AWS services and features" (MLS-C01), under the tag this
# bank uses: each at least once. Left out: AWS DeepLens, a device AWS discontinued in 2024.
IN_SCOPE_SERVICES = [
    # Analytics
    "Athena", "EMR", "Glue", "Kinesis Data Streams", "Firehose",
    "Managed Service for Apache Flink", "QuickSight",
    # Compute
    "AWS Batch", "EC2", "Lambda",
    # Containers
    "ECR", "ECS", "EKS", "Fargate",
    # Database
    "Redshift",
    # Internet of Things
    "IoT Greengrass",
    # Machine Learning
    "Comprehend", "Deep Learning AMIs", "Forecast", "Fraud Detector", "Lex", "Mechanical Turk",
    "Polly", "Rekognition", "SageMaker", "Textract", "Transcribe", "Translate",
    # Management and governance
    "CloudTrail", "CloudWatch",
    # Networking
    "VPC",
    # Security, identity and compliance
    "IAM", "KMS",
    # Storage
    "EBS", "EFS", "FSx for Lustre", "S3",
]  # fmt: skip
# The guide's "Technologies and concepts" headings, and the notes' core concepts: each once.
CONCEPTS = [
    "ingestion", "ETL", "visualization", "training", "deployment", "MLOps", "AI services",
    "notebooks",
    "Kinesis", "S3 security", "imputation", "imbalance", "encoding", "TF-IDF", "distributions",
    "metrics", "regularization", "activation functions", "tuning", "Model Monitor",
]  # fmt: skip
FLOORS = [
    ("Algorithms", ALGORITHMS, 5),
    ("AI services", AI_SERVICES, 3),
    ("In-scope services", IN_SCOPE_SERVICES, 1),
    ("Concepts", CONCEPTS, 1),
]


def published_questions(blueprint: Blueprint) -> list[Question]:
    return list(
        Question.objects.published()
        .in_blueprint(blueprint)
        .select_related("topic__domain")
        .prefetch_related("tags", "choices", "references")
    )


def tag_counts(questions: list[Question]) -> Counter:
    return Counter(tag.name for q in questions for tag in q.tags.all())


def missing(tags: Counter) -> dict[str, dict[str, int]]:
    """Per list, each tag below its floor with its count; an empty dict when all are met."""
    out = {}
    for title, names, floor in FLOORS:
        short = {name: tags[name] for name in names if tags[name] < floor}
        if short:
            out[title] = short
    return out
