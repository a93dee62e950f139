"""Template helpers for the LoRA demo form: the module checkboxes follow the model picked in the same form."""

from django import template

from demos.kinds.lora import lora_save_options, lora_target_options

register = template.Library()


@register.simple_tag
def lora_module_options(fields: list[dict], item: dict) -> list[dict]:
    """Checkbox options of a ModelModules field for the form's current model (`fields` as demo pages build it)."""
    model = next((other["value"] for other in fields if other["field"].name == "model"), "demo-lm")
    options = lora_save_options if getattr(item["field"], "options", "") == "save" else lora_target_options
    return options(model, item["value"])
