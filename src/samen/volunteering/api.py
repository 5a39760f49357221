from ninja import Router

router = Router(tags=["Volunteering"])
