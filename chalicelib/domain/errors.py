"""Domain errors. Each carries a stable code and an English and a Chinese message; the API layer
maps them to HTTP by type, in one place (chalicelib/api/problems.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str
    message_zh: str = ""


class DomainError(Exception):
    code = "error"
    message = "The request could not be completed."
    message_zh = "请求无法完成。"

    def __init__(
        self,
        message: str | None = None,
        message_zh: str | None = None,
        *,
        errors: tuple[FieldError, ...] = (),
    ) -> None:
        super().__init__(self.code)
        self.extra: dict[str, object] = {}  # more members of the problem document
        if message is not None:
            self.message = message
        if message_zh is not None:
            self.message_zh = message_zh
        self.errors = errors


class InvalidInput(DomainError):
    code = "invalid_request"
    message = "The request is not valid."
    message_zh = "请求内容不符合要求。"

    def __init__(
        self,
        message: str | None = None,
        message_zh: str | None = None,
        *,
        code: str | None = None,
        errors: tuple[FieldError, ...] = (),
    ) -> None:
        super().__init__(message, message_zh, errors=errors)
        if code is not None:
            self.code = code


class Unauthenticated(DomainError):
    code = "unauthenticated"
    message = "Sign in first: a valid access token is required."
    message_zh = "请先登录：需要有效的访问令牌。"


class InvalidCode(Unauthenticated):
    code = "invalid_code"
    message = "The SMS code is wrong, used or expired."
    message_zh = "短信验证码错误、已使用或已过期。"


class Forbidden(DomainError):
    code = "forbidden"
    message = "Your role does not allow this."
    message_zh = "您的角色无权进行此操作。"


class NotYourPlace(Forbidden):
    code = "not_your_place"
    message = "A checker scans at the place they are enrolled at; leave place_id out."
    message_zh = "查验员只能在登记的场所查验，请勿填写其他场所。"


class NotFound(DomainError):
    code = "not_found"
    message = "Not found."
    message_zh = "未找到。"


class AlreadyApplied(DomainError):
    code = "already_applied"
    message = "A health code has already been issued for this ID document."
    message_zh = "该证件已申领健康码。"


class Conflict(DomainError):
    code = "conflict"
    message = "The data changed at the same time; try again."
    message_zh = "数据同时被修改，请重试。"


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was used with another request; use a new key."
    message_zh = "该 Idempotency-Key 已用于另一个请求，请使用新的键。"


class InProgress(Conflict):
    code = "in_progress"
    message = "The first request with this Idempotency-Key is still running; retry in a moment."
    message_zh = "使用该 Idempotency-Key 的首个请求仍在处理中，请稍后重试。"


class Unavailable(DomainError):
    """A dependency (the database) is throttling, unreachable or too slow for the request's
    deadline: nothing was half done that a retry would repeat wrongly, so the client retries."""

    code = "service_unavailable"
    message = "The service is busy or a part of it is not answering; try again shortly."
    message_zh = "服务繁忙或暂时无法响应，请稍后重试。"
    retry_after = 3


class PayloadTooLarge(DomainError):
    code = "too_large"
    message = "The request body is too large."
    message_zh = "请求内容过大。"


class RateLimited(DomainError):
    code = "rate_limited"
    message = "Too many requests; try again later."
    message_zh = "请求过于频繁，请稍后再试。"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many requests; try again in {retry_after} seconds.",
            f"请求过于频繁，请在 {retry_after} 秒后重试。",
        )
        self.retry_after = retry_after


class MassRecolouring(DomainError):
    code = "mass_recolouring"
    message = (
        "This import would recolour more persons than the guard allows; nothing was applied. "
        "Another admin may apply it by repeating it with confirm set to the report id."
    )
    message_zh = (
        "本次导入将改变的赋码人数超过上限，未予执行；须由另一名管理员携报告编号确认后执行。"
    )

    def __init__(self, report: dict[str, object]) -> None:
        super().__init__()
        self.extra = {"report": report}


class SecondAdminRequired(Forbidden):
    code = "second_admin_required"
    message = "A different admin must confirm this import."
    message_zh = "须由另一名管理员确认本次导入。"


class ReportMismatch(Conflict):
    code = "report_mismatch"
    message = "The confirmation does not match a pending report for this batch."
    message_zh = "确认编号与本批数据的待确认报告不符。"


# Family (为家人代办) ---------------------------------------------------------------------------


class AlreadyBound(Conflict):
    code = "already_bound"
    message = "You already act for this person."
    message_zh = "您已绑定该家人。"


class TooManyDependents(Conflict):
    code = "too_many_dependents"
    message = "You already act for the most family members allowed."
    message_zh = "您绑定的家人已达上限。"


class TooManyGuardians(Conflict):
    code = "too_many_guardians"
    message = "This person already has the most guardians allowed."
    message_zh = "该人员的代办人已达上限。"


class LastGuardian(Conflict):
    code = "last_guardian"
    message = (
        "You are this person's only guardian: bind another guardian first, or delete the "
        "person's data instead."
    )
    message_zh = "您是该人员唯一的代办人：请先绑定其他代办人，或改为注销其信息。"


class InvalidShareCode(InvalidInput):
    code = "invalid_share_code"
    message = "The share code is wrong, used or expired, or it is for someone else."
    message_zh = "授权码错误、已使用或已过期，或不属于该人员。"


class ConsentRequired(AlreadyApplied):
    message = (
        "A health code has already been issued for this ID document. To act for this person, "
        "ask the holder or a guardian for a share code and send it as share_code."
    )
    message_zh = "该证件已申领健康码。如需代办，请向持码人或其代办人索取授权码，并填入 share_code。"


class HolderOnly(Forbidden):
    code = "holder_only"
    message = (
        "Only the holder can do this for a person who holds their own code (delete their "
        "data, issue share codes, see or remove guardians)."
    )
    message_zh = "本人持码的人员，只能由本人注销信息、发放授权码、查看或移除代办人。"


class FormatUnavailable(DomainError):
    code = "format_unavailable"
    message = "This server cannot draw that format (no CJK font for PNG); ask for pdf or svg."
    message_zh = "服务器无法生成该格式（缺少中文字体），请改用 pdf 或 svg。"


# Trust list and arrivals


class InvalidOriginCode(InvalidInput):
    code = "invalid_origin_code"
    message = "The origin code does not verify against the trust list."
    message_zh = "来源地健康码未通过互认名单验证。"


class OriginCodeUsed(Conflict):
    code = "origin_code_used"
    message = "This origin code has already served an arrival declaration."
    message_zh = "该来源地健康码已用于来鲁申报，不可重复使用。"
