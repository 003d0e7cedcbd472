"""Config flow: the user picks a waste collection source, then fills in its arguments."""

import importlib
import inspect

import voluptuous as vol


class WasteConfigFlow:
    _source: str | None = None
    hass = None

    async def async_step_args(self, user_input=None):
        module = importlib.import_module(f"waste_collection_schedule.source.{self._source}")
        if user_input is not None:
            return self.async_create_entry(title=module.TITLE, data={"source": self._source, "args": user_input})
        parameters = inspect.signature(module.Source.__init__).parameters
        schema = {vol.Required(name): str for name in parameters if name != "self"}
        return self.async_show_form(step_id="args", data_schema=vol.Schema(schema))

    def async_create_entry(self, title, data):
        return {"type": "create_entry", "title": title, "data": data}

    def async_show_form(self, step_id, data_schema):
        return {"type": "form", "step_id": step_id, "data_schema": data_schema}
