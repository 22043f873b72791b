"""Sending the login code by SMS: a console sender for stage local, Amazon SNS for AWS."""

from __future__ import annotations

import logging
from typing import Protocol

from chalicelib import config
from chalicelib.domain.masking import mask_phone

log = logging.getLogger("healthcode.sms")


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSender:
    """Prints the message with the number masked; for a developer's terminal only."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))
        print(f"[sms to {mask_phone(phone)}] {text}", flush=True)


class SnsSender:
    def __init__(self) -> None:
        import boto3  # created on first use: cold starts that send no SMS do not pay for it

        self._sns = boto3.client("sns", region_name=config.aws_region())

    def send(self, phone: str, text: str) -> None:
        self._sns.publish(
            PhoneNumber=f"+86{phone}",
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
            },
        )


def from_config() -> SmsSender:
    return ConsoleSender() if config.sms_sender() == "console" else SnsSender()
