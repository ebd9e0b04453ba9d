"""The library's forms: an item's metadata, links and files; submitting; the national
coordinator's assignment, decision, recommendation, archiving and rubric; a reviewer's scores.

Uploads are checked here with asphub.core.documents.validate_attachment, each refusal next to
the file field with its own code; the view keeps every file that passed (services.files_hold)
even when another field has an error, so nothing has to be uploaded twice."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from asphub.core.documents import ACCEPT_ATTRIBUTE, CheckedAttachment, validate_attachment
from asphub.core.forms import LinkForm
from asphub.taxonomy.forms import VocabularyFields

from .models import (
    SCORE_MAX,
    SCORE_MIN,
    DecisionKind,
    EducationLevel,
    Practice,
    PracticeFile,
    RubricCriterion,
)
from .services import MANY_FIELDS, MAX_LINKS, TEXT_FIELDS, ScoreInput

NOT_APPLICABLE = "na"
# Files one save takes (the request's size limit, ASPHUB_LARGE_REQUEST_BYTES, allows 4 of
# 25 MB); an item collects more over several saves.
MAX_FILES_PER_SAVE = 4
SCORE_LABELS = {
    0: _("0 – not shown"),
    1: _("1 – partly"),
    2: _("2 – largely"),
    3: _("3 – fully"),
}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """Several files from one input; each is checked by the form (see PracticeForm)."""

    widget = MultipleFileInput

    def to_python(self, data: Any) -> list[UploadedFile]:
        if not data:
            return []
        if not isinstance(data, (list, tuple)):
            data = [data]
        return [upload for upload in data if isinstance(upload, UploadedFile)]


class PracticeForm(VocabularyFields, forms.ModelForm):
    """Everything the authors write about an item (DOMAIN.md's metadata), its new files and
    the files to remove. `seen_version` refuses a save over someone else's newer one."""

    education_levels = forms.MultipleChoiceField(
        label=_("Education levels"),
        choices=EducationLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    new_files = MultipleFileField(
        label=_("Add files"),
        required=False,
        help_text=_(
            "PDF, DOCX, ODT, PPTX, ODP, XLSX, ODS, PNG or JPEG, at most 25 MB each. You may "
            "choose up to 4 at once."
        ),
        widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    remove_files = forms.ModelMultipleChoiceField(
        label=_("Remove these files"),
        queryset=PracticeFile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Practice
        fields = [*TEXT_FIELDS, *MANY_FIELDS]
        widgets = {
            "kind": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "summary_en": forms.Textarea(attrs={"rows": 4}),
            "body": forms.Textarea(attrs={"rows": 16}),
            "age_from": forms.NumberInput(attrs={"min": 0, "max": 99}),
            "age_to": forms.NumberInput(attrs={"min": 0, "max": 99}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The uploads that passed the checks, to be held by the view whatever else is wrong.
        self.checked_attachments: list[CheckedAttachment] = []
        if self.instance.pk:
            remove = cast(forms.ModelMultipleChoiceField, self.fields["remove_files"])
            remove.queryset = self.instance.files.order_by("position", "id")
            self.fields["seen_version"].initial = self.instance.edit_version
        else:
            del self.fields["remove_files"]

    def clean_new_files(self) -> list[UploadedFile]:
        uploads = self.cleaned_data.get("new_files") or []
        if len(uploads) > MAX_FILES_PER_SAVE:
            raise ValidationError(
                ngettext(
                    "Add at most %(count)s file at once.",
                    "Add at most %(count)s files at once.",
                    MAX_FILES_PER_SAVE,
                )
                % {"count": MAX_FILES_PER_SAVE},
                code="too_many_files",
            )
        refusals = []
        for upload in uploads:
            try:
                self.checked_attachments.append(validate_attachment(upload))
            except ValidationError as refusal:
                refusals.append(
                    ValidationError(
                        _("“%(name)s” was not added: %(reason)s")
                        % {"name": (upload.name or "")[:100], "reason": " ".join(refusal.messages)},
                        code=refusal.code,
                    )
                )
        if refusals:
            raise ValidationError(refusals)
        return uploads

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in (*TEXT_FIELDS, *MANY_FIELDS)}


LinkFormSet = forms.formset_factory(
    LinkForm, extra=2, max_num=MAX_LINKS, absolute_max=MAX_LINKS, validate_max=True
)


def link_formset(data: Any = None, *, practice: Practice | None = None) -> Any:
    initial = (
        [{"url": link.url, "title": link.title} for link in practice.links.all()]
        if practice is not None
        else []
    )
    return LinkFormSet(data, initial=initial, prefix="links")


class SubmitForm(forms.Form):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# -- the national coordinator ----------------------------------------------------------------


class ReviewerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class AssignForm(forms.Form):
    reviewers = ReviewerChoiceField(
        label=_("Reviewers to assign"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only reviewers of the item's country who hold no role at its school are listed."
        ),
    )

    def __init__(self, *args: Any, reviewers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["reviewers"]).queryset = reviewers


class RemoveReviewerForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=DecisionKind.choices, widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Message to the authors (they read it with the reviews)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    seen_round = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RecommendForm(forms.Form):
    recommended = forms.BooleanField(label=_("Recommended by the national network"), required=False)


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for archiving (shown on the item's page)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RubricCriterionForm(forms.ModelForm):
    class Meta:
        model = RubricCriterion
        fields = ["name_lv", "name_en", "guidance_lv", "guidance_en", "position", "active"]
        widgets = {
            "guidance_lv": forms.Textarea(attrs={"rows": 2}),
            "guidance_en": forms.Textarea(attrs={"rows": 2}),
        }


RubricFormSet = forms.modelformset_factory(
    RubricCriterion,
    form=RubricCriterionForm,
    extra=1,
    can_delete=False,
    max_num=30,
    absolute_max=30,
    validate_max=True,
)


# -- the reviewer ----------------------------------------------------------------------------


class ReviewForm(forms.Form):
    """A score (0–3, or not applicable) and a comment for each criterion of the rubric, and an
    overall comment. A draft may leave scores out; sending needs them all (the service
    checks)."""

    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(
        self, *args: Any, criteria: list[RubricCriterion], saved: dict | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        saved = saved or {}
        choices = [(str(score), SCORE_LABELS[score]) for score in range(SCORE_MIN, SCORE_MAX + 1)]
        choices.append((NOT_APPLICABLE, _("not applicable")))
        for criterion in criteria:
            stored = saved.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.ChoiceField(
                label=str(criterion.name),
                choices=choices,
                widget=forms.RadioSelect,
                required=False,
                help_text=str(criterion.guidance),
                initial=(
                    None
                    if stored is None
                    else (NOT_APPLICABLE if stored.score is None else str(stored.score))
                ),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial="" if stored is None else stored.comment,
            )

    def rows(self) -> list[tuple[RubricCriterion, Any, Any]]:
        return [
            (criterion, self[f"score_{criterion.pk}"], self[f"comment_{criterion.pk}"])
            for criterion in self.criteria
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for criterion in self.criteria:
            if data.get(f"comment_{criterion.pk}") and not data.get(f"score_{criterion.pk}"):
                self.add_error(
                    f"score_{criterion.pk}",
                    ValidationError(
                        _("Choose a score (or not applicable) to keep this comment."),
                        code="score_missing",
                    ),
                )
        return data

    def scores(self) -> dict[int, ScoreInput]:
        scores = {}
        for criterion in self.criteria:
            value = self.cleaned_data.get(f"score_{criterion.pk}")
            if not value:
                continue
            scores[criterion.pk] = ScoreInput(
                score=None if value == NOT_APPLICABLE else int(value),
                comment=self.cleaned_data.get(f"comment_{criterion.pk}", ""),
            )
        return scores
