"""The stack `make infra-check` writes (tools/infra_check.py): what `chalice package` produces,
merged with infra/queue.yaml, infra/alarms.yaml and infra/api-gateway-responses.yaml. cfn-lint
checks that it is valid CloudFormation; these tests check that it says what the worker needs."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tools import infra_check

Template = dict[str, Any]

ALARMS = {
    "TaskDeadLetterAlarm": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    "TaskOldestMessageAlarm": ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
    "ApiThrottlesAlarm": ("AWS/Lambda", "Throttles"),
    "WorkerThrottlesAlarm": ("AWS/Lambda", "Throttles"),
    "Api5xxAlarm": ("AWS/ApiGateway", "5XXError"),
    "JobFailuresAlarm": ({"Fn::Sub": "healthcode/${AWS::StackName}"}, "JobFailures"),
}

# The modules whose warnings run in the worker and the scheduled functions: every warning they
# log is a failure the job-failure metric filter must count.
JOB_MODULES = (
    "chalicelib/services/tasks.py",
    "chalicelib/services/expire.py",
    "chalicelib/services/purge.py",
    "chalicelib/services/recompare.py",
    "chalicelib/api/jobs.py",
    "chalicelib/api/worker.py",
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    import json

    path = infra_check.build("dev", tmp_path_factory.mktemp("infra"))
    loaded: Template = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _resources(template: Template, kind: str) -> dict[str, Any]:
    return {k: r for k, r in template["Resources"].items() if r.get("Type") == kind}


def _functions(template: Template) -> dict[str, Any]:
    return _resources(template, "AWS::Serverless::Function")


def _event_types(function: Any) -> set[str]:
    return {event["Type"] for event in function["Properties"].get("Events", {}).values()}


def test_the_task_queue_moves_a_message_to_its_dead_letter_queue_after_five_receives(
    template: Template,
) -> None:
    queue = template["Resources"]["TaskQueue"]["Properties"]
    dlq = template["Resources"]["TaskDeadLetterQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["TaskDeadLetterQueue", "Arn"]},
        "maxReceiveCount": {"Ref": "TaskMaxReceives"},
    }
    assert template["Parameters"]["TaskMaxReceives"]["Default"] == 5
    # Only the task queue may redrive into it: its ARN is built from the queue's own name.
    allow = dlq["RedriveAllowPolicy"]
    assert allow["redrivePermission"] == "byQueue"
    [source] = allow["sourceQueueArns"]
    assert source["Fn::Sub"].endswith(":" + queue["QueueName"]["Fn::Sub"])
    assert dlq["QueueName"]["Fn::Sub"] == queue["QueueName"]["Fn::Sub"] + "-dlq"


def test_a_task_stays_hidden_for_six_worker_timeouts_and_is_kept_encrypted(
    template: Template,
) -> None:
    worker = template["Resources"]["Worker"]["Properties"]
    [event] = worker["Events"].values()
    queue = template["Resources"]["TaskQueue"]["Properties"]
    dlq = template["Resources"]["TaskDeadLetterQueue"]["Properties"]
    window = event["Properties"].get("MaximumBatchingWindowInSeconds", 0)
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"] + window
    assert queue["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
    assert dlq["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]


def test_the_worker_reads_the_task_queue_in_batches_of_ten_reporting_failed_items(
    template: Template,
) -> None:
    worker = template["Resources"]["Worker"]["Properties"]
    [event] = worker["Events"].values()
    assert event["Type"] == "SQS"
    mapping = event["Properties"]
    assert mapping["Queue"] == {"Fn::GetAtt": ["TaskQueue", "Arn"]}  # not Chalice's literal name
    assert mapping["BatchSize"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "WorkerMaxConcurrency"}}
    assert 2 <= template["Parameters"]["WorkerMaxConcurrency"]["Default"] <= 1000
    # The mapping is created with the function: not before the worker may receive.
    assert template["Resources"]["Worker"]["DependsOn"] == "TaskQueueConsumePolicy"


def test_only_the_worker_may_continue_itself_past_lambdas_recursive_loop_detection(
    template: Template,
) -> None:
    allowed = {
        name
        for name, function in _functions(template).items()
        if function["Properties"].get("RecursiveLoop") == "Allow"
    }
    assert allowed == {"Worker"}


def test_every_function_is_told_the_stacks_queue_name(template: Template) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["HEALTHCODE_TASK_QUEUE"] == {"Fn::GetAtt": ["TaskQueue", "QueueName"]}
    for function in _functions(template).values():
        assert "HEALTHCODE_TASK_QUEUE" not in function["Properties"]["Environment"]["Variables"]


def test_every_function_may_send_tasks_and_only_the_worker_may_receive_them(
    template: Template,
) -> None:
    roles = {
        function["Properties"]["Role"]["Fn::GetAtt"][0]
        for function in _functions(template).values()
    }
    send = template["Resources"]["TaskQueueSendPolicy"]["Properties"]
    consume = template["Resources"]["TaskQueueConsumePolicy"]["Properties"]
    assert {role["Ref"] for role in send["Roles"]} == roles
    assert consume["Roles"] == [{"Ref": "WorkerRole"}]
    [sending] = send["PolicyDocument"]["Statement"]
    [consuming] = consume["PolicyDocument"]["Statement"]
    assert "sqs:SendMessage" in sending["Action"] and "sqs:ReceiveMessage" not in sending["Action"]
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage"} <= set(consuming["Action"])
    for statement in (sending, consuming):
        assert statement["Resource"] == {"Fn::GetAtt": ["TaskQueue", "Arn"]}


def test_each_alarm_watches_its_metric_and_notifies_the_topic_if_one_is_given(
    template: Template,
) -> None:
    alarms = _resources(template, "AWS::CloudWatch::Alarm")
    assert {name: (a["Properties"]["Namespace"], a["Properties"]["MetricName"])
            for name, a in alarms.items()} == ALARMS  # fmt: skip
    notify = {"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == notify
    dimensions = {
        name: {d["Name"]: d["Value"] for d in a["Properties"].get("Dimensions", [])}
        for name, a in alarms.items()
    }
    assert dimensions["TaskDeadLetterAlarm"] == {
        "QueueName": {"Fn::GetAtt": ["TaskDeadLetterQueue", "QueueName"]}
    }
    assert dimensions["TaskOldestMessageAlarm"] == {
        "QueueName": {"Fn::GetAtt": ["TaskQueue", "QueueName"]}
    }
    assert dimensions["ApiThrottlesAlarm"] == {"FunctionName": {"Ref": "APIHandler"}}
    assert dimensions["WorkerThrottlesAlarm"] == {"FunctionName": {"Ref": "Worker"}}


def test_the_5xx_alarm_watches_this_stages_api_by_its_name_in_api_gateway(
    template: Template,
) -> None:
    api = template["Resources"]["RestAPI"]["Properties"]
    alarm = template["Resources"]["Api5xxAlarm"]["Properties"]
    dimensions = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
    assert api["DefinitionBody"]["info"]["title"] == {"Ref": "AWS::StackName"}
    assert dimensions == {"ApiName": {"Ref": "AWS::StackName"}, "Stage": api["StageName"]}


def test_the_worker_and_every_schedule_count_their_failures_into_the_alarms_metric(
    template: Template,
) -> None:
    filters = _resources(template, "AWS::Logs::MetricFilter")
    counted = {f["Properties"]["LogGroupName"]["Ref"]: f["Properties"] for f in filters.values()}
    jobs = {
        name
        for name, function in _functions(template).items()
        if _event_types(function) & {"SQS", "Schedule"}
    }
    assert jobs >= {"Worker", "Expire", "Purge", "Recompare"}
    alarm = template["Resources"]["JobFailuresAlarm"]["Properties"]
    for name in jobs:
        group = template["Resources"][name]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert template["Resources"][group]["Type"] == "AWS::Logs::LogGroup"
        [metric] = counted[group]["MetricTransformations"]
        assert (metric["MetricNamespace"], metric["MetricName"]) == (
            alarm["Namespace"],
            alarm["MetricName"],
        )
    assert len({f["FilterPattern"] for f in counted.values()}) == 1


def test_the_functions_may_write_to_the_log_groups_of_the_stack(template: Template) -> None:
    import fnmatch
    import json

    policy = json.loads((ROOT / ".chalice" / "policy-dev.json").read_text(encoding="utf-8"))
    [logs] = [s for s in policy["Statement"] if s["Sid"] == "Logs"]
    groups = _resources(template, "AWS::Logs::LogGroup")
    assert groups
    for group in groups.values():
        name = group["Properties"]["LogGroupName"]["Fn::Sub"].replace(
            "${AWS::StackName}", "healthcode-dev"
        )
        arn = f"arn:aws:logs:cn-north-1:123456789012:log-group:{name}:log-stream:x"
        assert any(fnmatch.fnmatchcase(arn, pattern) for pattern in logs["Resource"]), name


def _filter_terms(pattern: str) -> list[str]:
    """The terms of a CloudWatch Logs filter pattern of quoted alternatives (`?"a" ?"b"`)."""
    assert re.fullmatch(r'(\?"[^"]+"\s*)+', pattern.strip()), pattern
    return re.findall(r'\?"([^"]+)"', pattern)


def _warnings(path: Path) -> list[str]:
    """The format strings of the warnings and errors a module logs."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"warning", "error", "exception", "critical"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.append(str(node.args[0].value))
    return found


def test_the_failure_filter_matches_every_warning_the_worker_and_the_schedules_log(
    template: Template,
) -> None:
    [pattern] = {
        f["Properties"]["FilterPattern"]
        for f in _resources(template, "AWS::Logs::MetricFilter").values()
    }
    terms = _filter_terms(pattern)
    lines = [
        re.sub(r"%[sd]", "X", line)
        for module in JOB_MODULES
        if (ROOT / module).exists()
        for line in _warnings(ROOT / module)
    ]
    assert len(lines) >= 3  # the worker's "task failed", expire's, the schedules' stop
    assert [line for line in lines if not any(term in line for term in terms)] == []


def test_a_template_may_patch_only_a_resource_chalice_wrote() -> None:
    chalice = {"Resources": {"Worker": {"Type": "AWS::Serverless::Function", "Properties": {}}}}
    patch = {"Resources": {"Wroker": {"Properties": {"RecursiveLoop": "Allow"}}}}
    with pytest.raises(infra_check.MergeError, match="Wroker"):
        infra_check.merge(chalice, {"queue.yaml": patch})
    again = {"Resources": {"Worker": {"Type": "AWS::Serverless::Function"}}}
    with pytest.raises(infra_check.MergeError, match="already"):
        infra_check.merge(chalice, {"queue.yaml": again})


def test_an_intrinsic_function_in_a_patch_replaces_chalices_value_whole() -> None:
    literal = {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q"}
    chalice = {"Resources": {"W": {"Type": "T", "Properties": {"Queue": literal, "Batch": 10}}}}
    patch = {"Resources": {"W": {"Properties": {"Queue": {"Fn::GetAtt": ["Q", "Arn"]}}}}}
    merged = infra_check.merge(chalice, {"queue.yaml": patch})
    assert merged["Resources"]["W"]["Properties"] == {
        "Queue": {"Fn::GetAtt": ["Q", "Arn"]},
        "Batch": 10,
    }


def test_the_api_compresses_answers_over_1_kb_and_passes_the_pages_wasm_as_binary(
    template: Template,
) -> None:
    """The pages' JavaScript and CSS are counted gzipped against their budget: API Gateway
    sends them so to browsers (Accept-Encoding); the QR decoder's WebAssembly is binary."""
    (api,) = _resources(template, "AWS::Serverless::Api").values()
    assert api["Properties"]["MinimumCompressionSize"] == 1024
    body = api["Properties"]["DefinitionBody"]
    assert "application/wasm" in body["x-amazon-apigateway-binary-media-types"]
